[[ -r "$__wx_home/.zprofile" ]] && source "$__wx_home/.zprofile"
