# WebXTerm shell integration for bash (loaded with --init-file by vsay-agent).
# Runs the person's own startup files as a login shell would, then marks prompt, command line,
# start and end (with exit code) in the output with OSC 633 sequences that carry a per-session
# nonce, so the platform can list every command of the session. The nonce is read from the
# environment and removed from it at once: programs run in the session never see it.
__wx_nonce="$WEBXTERM_NONCE"
unset WEBXTERM_NONCE

if [ -f /etc/profile ]; then . /etc/profile; fi
for __wx_rc in ~/.bash_profile ~/.bash_login ~/.profile; do
  if [ -r "$__wx_rc" ]; then . "$__wx_rc"; break; fi
done
unset __wx_rc
# ~/.profile on Debian sources ~/.bashrc itself; a ~/.bash_profile that does not, leaves it out, as bash -l would.

if [ -n "$__wx_nonce" ] && [ -z "$__wx_installed" ]; then
  __wx_installed=1
  __wx_armed=0   # set by the last PROMPT_COMMAND entry: the next DEBUG trap is the person's command line
  __wx_ran=0
  read -r __wx_last_histnum __wx_last_line <<< "$(HISTTIMEFORMAT= builtin history 1)"
  # ignoredups would keep a repeated line out of the history, and its text out of reach: the
  # integration drops the repeat from the history itself, after reading it.
  __wx_ignoredups=0
  case ":$HISTCONTROL:" in *:ignoredups:*|*:ignoreboth:*) __wx_ignoredups=1 ;; esac
  HISTCONTROL=$(IFS=:; for __wx_c in $HISTCONTROL; do case $__wx_c in ignoredups) ;; ignoreboth) printf ':ignorespace' ;; *) printf ':%s' "$__wx_c" ;; esac; done)
  HISTCONTROL=${HISTCONTROL#:}; unset __wx_c
  __wx_escape() { local s=${1//\\/\\\\}; s=${s//;/\\x3b}; s=${s//$'\n'/\\x0a}; s=${s//$'\a'/\\x07}; s=${s//$'\e'/\\x1b}; printf '%s' "$s"; }
  __wx_preexec() {
    [ "$__wx_armed" = 1 ] || return 0
    __wx_armed=0
    case "$BASH_COMMAND" in __wx_precmd*) return 0 ;; esac   # an empty line: the prompt comes straight back
    __wx_ran=1
    local num line
    # The line as history kept it; one kept out of the history (HISTCONTROL=ignorespace…) is recorded without its text.
    read -r num line <<< "$(HISTTIMEFORMAT= builtin history 1)"
    if [ "$num" = "$__wx_last_histnum" ]; then line=""
    elif [ "$__wx_ignoredups" = 1 ] && [ "$line" = "$__wx_last_line" ]; then builtin history -d "$num"
    else __wx_last_histnum=$num; __wx_last_line=$line
    fi
    printf '\e]633;E;%s;%s\a\e]633;C;%s\a' "$(__wx_escape "$line")" "$__wx_nonce" "$__wx_nonce"
  }
  __wx_precmd() {
    local status=$?
    if [ "$__wx_ran" = 1 ]; then printf '\e]633;D;%s;%s\a' "$status" "$__wx_nonce"; fi
    __wx_ran=0
    printf '\e]633;P;Cwd=%s;%s\a\e]633;A;%s\a' "$(__wx_escape "$PWD")" "$__wx_nonce" "$__wx_nonce"
    return $status
  }
  __wx_arm() { __wx_armed=1; }
  trap '__wx_preexec' DEBUG
  # Newlines, not semicolons: the person's PROMPT_COMMAND may end with one of its own.
  PROMPT_COMMAND=$'__wx_precmd\n'"${PROMPT_COMMAND}"$'\n__wx_arm'
fi
