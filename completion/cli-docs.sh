#!/bin/bash
# The three places that list smokegate's commands and options cannot drift
# apart: for every command of `smokegate --help`, the long options of its
# --help, those its bash completion offers, and those its section of the
# manual page smokegate(1) names (with the lab options where its synopsis
# says _LAB OPTIONS_) are the same; each --help gives the exit status, and
# the options its command refuses to go without (those a usage error names
# as required or needed) are said to be required.
# usage: cli-docs.sh SMOKEGATE COMPLETION MAN_SOURCE
. "$(dirname "$0")/../tests/vm/lib.sh"

smokegate=$1 completion=$2 man=$3
if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	echo "1..0 # SKIP bash-completion is not installed"
	exit 0
fi

# What the completion offers for the last word of "smokegate WORDS...".
offers() {
	bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		shift
		COMP_WORDS=(smokegate "$@")
		COMP_CWORD=${#COMP_WORDS[@]}
		COMP_CWORD=$((COMP_CWORD - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_smokegate smokegate -- "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@" | grep -v '^--help$' | sort -u
}

# The options the completion offers after "smokegate WORDS... --".
completed() {
	offers "$@" --
}

# The long options of a --help, without --help.
helped() {
	"$smokegate" "$@" --help | grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' |
		grep -v '^--help$' | sort -u
}

# The options a section of the manual names: from "## TITLE" to the next.
in_manual() {
	awk -v title="## $1" '$0 == title { on = 1; next } /^#/ { on = 0 } on' "$man" |
		grep -oE -- '\*--[a-z-]+\*' | tr -d '*' | sort -u
}

commands=$("$smokegate" --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
check "smokegate --help lists commands" test -n "$commands"
check "smokegate --help mentions COMMAND --help and --version" \
	sh -c "'$smokegate' --help | grep -q -- 'COMMAND --help' && '$smokegate' --help | grep -q -- '--version'"
check "the completion offers every command and nothing else" \
	diff <(offers "" | sort) <(echo "$commands" | sort)
lab=$(in_manual "Lab options")
for command in $commands; do
	words=("$command")
	title=$command
	if [ "$command" = suite ]; then
		words=(suite run)
		title="suite run"
		check "suite: the completion offers its subcommand, run" test "$(offers suite "")" = run
	fi
	help=$(helped "${words[@]}")
	comp=$(completed "${words[@]}")
	manual=$(in_manual "$title")
	if awk -v title="## $title" '$0 == title { on = 1; next } /^#/ { on = 0 } on' "$man" |
		grep -q '_LAB OPTIONS_'; then
		manual=$(printf '%s\n%s\n' "$manual" "$lab" | sort -u)
	fi
	check "$title: --help and the completion list the same options" \
		diff <(echo "$help") <(echo "$comp")
	missing=$(comm -23 <(echo "$help") <(echo "$manual") | tr '\n' ' ')
	check "$title: the manual names every option of --help (missing: ${missing:-none})" \
		test -z "$missing"
	extra=$(comm -13 <(echo "$help") <(echo "$manual") | tr '\n' ' ')
	check "$title: the manual names no option --help lacks (extra: ${extra:-none})" \
		test -z "$extra"
	check "$title: --help gives the exit status" \
		sh -c "'$smokegate' ${words[*]} --help | grep -q '^Exit status: '"
	# Run without options (its one argument given), the command names what
	# it needs. test and lab need no option (lab would survey the lab).
	case $command in
	test | lab) needed= ;;
	stage | mark-current | yank) needed=$("$smokegate" "${words[@]}" ARG 2>&1 >/dev/null) ;;
	*) needed=$("$smokegate" "${words[@]}" 2>&1 >/dev/null) ;;
	esac
	needed=$(grep -oE -- '--[a-z-]+' <<< "$needed" | grep -v -- '--help' | sort -u | tr '\n' ' ')
	for option in $needed; do
		check "$title: --help says $option is required" \
			sh -c "'$smokegate' ${words[*]} --help | grep '^Required: ' | grep -q -- '$option'"
	done
done
finish
