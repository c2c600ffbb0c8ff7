[[ -r "$__wx_home/.zshrc" ]] && source "$__wx_home/.zshrc"
# From here on zsh reads the person's own files again (.zlogin, and any nested zsh).
ZDOTDIR=$__wx_home

__wx_nonce=$WEBXTERM_NONCE
unset WEBXTERM_NONCE
if [[ -n "$__wx_nonce" && -z "$__wx_installed" ]]; then
  __wx_installed=1
  __wx_ran=0
  __wx_esc() { local s=${1//\\/\\\\}; s=${s//;/\\x3b}; s=${s//$'\n'/\\x0a}; s=${s//$'\a'/\\x07}; s=${s//$'\e'/\\x1b}; print -rn -- "$s"; }
  __wx_preexec() {
    __wx_ran=1
    # A line the person keeps out of the history (HIST_IGNORE_SPACE) is recorded without its text, as in bash.
    local line=$1
    [[ -o histignorespace && $line == ' '* ]] && line=''
    print -rn -- $'\e]633;E;'"$(__wx_esc "$line");$__wx_nonce"$'\a\e]633;C;'"$__wx_nonce"$'\a'
  }
  __wx_precmd() {
    local st=$?
    (( __wx_ran )) && print -rn -- $'\e]633;D;'"$st;$__wx_nonce"$'\a'
    __wx_ran=0
    print -rn -- $'\e]633;P;Cwd='"$(__wx_esc "$PWD");$__wx_nonce"$'\a\e]633;A;'"$__wx_nonce"$'\a'
  }
  # First among the precmd hooks, so the exit code is the command's own.
  precmd_functions=(__wx_precmd $precmd_functions)
  preexec_functions+=(__wx_preexec)
fi
