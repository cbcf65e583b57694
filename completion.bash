# bash completion for bootstrap: commands and options from its help, stage,
# target and package names from `bootstrap list` in the project directory
# (installed by make install; or: . completion.bash).
_bootstrap()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bs=${COMP_WORDS[0]} cmd= i words

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--top|--work|--cache|--mirror|--jobs|-j|--distcc|--distcc-hosts) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--top|--work|--cache|--mirror|--distcc)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		words=$("$bs" help 2> /dev/null | sed -n 's/^  \(--*[a-z-]*\).*/\1/p; s/^  -j N, \(--jobs\).*/\1/p')
		COMPREPLY=($(compgen -W "$words --help --version" -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		words=$("$bs" help 2> /dev/null | sed -n '/^commands:/,/^options:/s/^  \([a-z][a-z]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
	fi
	local list
	list=$("$bs" list 2> /dev/null)
	case $cmd in
	stage|plan|test|audit|clean|all|boot|shell)
		# the stages' names (KIND-ARCH) and the targets'
		words=$(echo "$list" | sed -n '/^stages:/,/^packages:/{/^  /{s/^  [^ ]* *//;s/ *(needs.*//;p}}')
		words="$words $(echo "$list" | sed -n '/^targets:/,/^stages:/s/^  \([^ ]*\).*/\1/p')"
		[ "$cmd" = plan ] && words="$words all"
		COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
	serve)
		# the targets
		words=$(echo "$list" | sed -n '/^targets:/,/^stages:/s/^  \([^ ]*\).*/\1/p')
		COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
	fetch)
		words=$(echo "$list" | sed -n '/^packages:/,$s/^  \([^ ]*\).*/\1/p')
		COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
	help)
		words=$("$bs" help 2> /dev/null | sed -n '/^commands:/,/^options:/s/^  \([a-z][a-z]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;
	guest)
		COMPREPLY=($(compgen -d -- "$cur")) ;;
	esac
}
complete -F _bootstrap bootstrap ./bootstrap
