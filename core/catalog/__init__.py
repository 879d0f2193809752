"""What a film is made of: projects, branches, scenes and shots, project assets and the global
library."""
