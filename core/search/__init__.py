"""Tag search (T4): the query language and saved searches."""
