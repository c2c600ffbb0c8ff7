# WebXTerm shell integration for zsh: zsh reads its startup files from this folder (ZDOTDIR), and
# each one sources the person's own. The hooks are installed in .zshrc.
__wx_home=${WEBXTERM_USER_ZDOTDIR:-$HOME}
unset WEBXTERM_USER_ZDOTDIR
[[ -r "$__wx_home/.zshenv" ]] && source "$__wx_home/.zshenv"
