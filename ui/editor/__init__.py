"""The asset editor's parts (DESIGN §5), laid out by pages/editor.py.

snapshot (what a run reads once), navigation (scene and instance, the URL), header,
gatekeeper (readiness), review_prompt (carried conditions), left (the scene's
instances, bulk actions, inherit), empty (the empty scene), centre (the selected
instance's form), form (its state and actions), edit_actions (undo, revert, take
upstream), history (history and inheritance chain), guard (an instance that vanished),
drawer (project assets, library, create, detection), phrases, style, areas."""
