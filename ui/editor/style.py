"""The editor's CSS."""

from ui.textdiff import DIFF_CSS

CSS = """<style>
.ed-row{font-size:0.78rem;line-height:1.55;margin:-0.55rem 0 0.35rem 0.15rem}
.ed-muted{color:#8a8d96;font-size:0.8rem}
.ed-quote{border-left:3px solid rgba(49,51,63,0.18);padding:0.15rem 0.7rem;
 margin:0.15rem 0 0.4rem 0;font-size:0.9rem}
.ed-hist{font-size:0.82rem;line-height:1.4;padding:0.15rem 0 0.3rem 0;
 border-bottom:1px solid rgba(49,51,63,0.08)}
.ed-chain{font-size:0.84rem;line-height:1.4;margin:0.1rem 0 0.45rem 0}
[class*="st-key-ed_block_"] button{min-height:0;padding:0.05rem 0;justify-content:flex-start;
 text-align:left}
[class*="st-key-ed_block_"] button p{font-size:0.84rem}
""" + DIFF_CSS + "</style>"

TYPE_ICON = {"character": ":material/person:", "location": ":material/location_on:",
             "prop": ":material/category:"}
