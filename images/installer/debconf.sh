# The installer's answers, sourced by /init: a tiny stand-in for cdebconf.
# Answers are loaded into one store in the order the real installer loads
# them (preseed.sh for debian-installer, frontend-casper.sh for casper,
# cloud-init.sh for subiquity): a later source overrides an earlier one.
# A key that is not answered becomes a question shown the way d-i's text
# frontend shows it on a serial console, and the installer waits for an
# answer that never comes (priority=critical means nothing should be asked,
# so the harness reports the question as the failure).

PRESEED=/var/lib/preseed/answers
QUESTIONS=/var/lib/cdebconf/questions.dat

# preseed_get KEY - print the value of KEY; status 1 when it is not there.
# Lines are "OWNER KEY TYPE VALUE", the value may be empty or hold spaces;
# the last line for KEY wins.
preseed_get() {
	[ -r "$PRESEED" ] || return 1
	awk -v key="$1" '
		/^[ \t]*#/ { next }
		$2 == key {
			v = $0
			sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", v)
			if (NF < 3) v = ""
			sub(/[ \t\r]+$/, "", v)
			val = v; found = 1
		}
		END { if (!found) exit 1; print val }
	' "$PRESEED"
}

# preseed_load FILE - every answer of a preseed file, over those loaded
# before (debconf-set-selections).
preseed_load() {
	mkdir -p "${PRESEED%/*}"
	cat "$1" >>"$PRESEED"
	echo >>"$PRESEED" # a file without a newline at its end
}

# preseed_set OWNER KEY VALUE - one answer, as from the kernel command line.
preseed_set() {
	mkdir -p "${PRESEED%/*}"
	printf '%s %s string %s\n' "$1" "$2" "$3" >>"$PRESEED"
}

# dialog MARK TITLE TEXT - draw a d-i text-frontend dialog and wait forever.
# MARK is "!" for a question, "!!" for a critical error, as newt titles them.
# The prompt line ends with a newline (the real one does not) so that a
# harness reading whole lines sees it at once.
dialog() {
	local mark=$1 title=$2 text=$3
	log debconf "showing [$mark] $title: $text"
	printf '\n[%s] %s\n\n%s\n\n' "$mark" "$title" "$text"
	printf "Prompt: '?' for help> \n"
	sync
	# Nobody will answer; whatever arrives on the console changes nothing.
	while :; do
		read -r _ 2>/dev/null || sleep 3600
	done
}

# text_error TITLE SHORT LONG - an error template as cdebconf's text
# frontend shows it (cdebconf src/modules/frontend/text/text.c, the text.so
# of the Debian 12 installer: text_go, text_handler_displaydesc,
# text_handler_note): the title underlined with as many dashes, a blank
# line, "!! ERROR: " and the short description, a blank line, the long one
# wrapped at 79 columns (its strwrap leaves the space a line breaks at),
# then "[Press enter to continue] " with no newline. Then it waits, as
# nobody presses enter.
text_error() {
	local title=$1 short=$2 long=$3
	log debconf "showing error $title: $short: $long"
	{
		printf '%s\n%s\n\n' "$title" "$(printf '%s' "$title" | sed 's/./-/g')"
		printf '!! ERROR: %s\n\n' "$short"
		printf '%s\n' "$long" | fold -s -w 79
		printf '[Press enter to continue] '
	} >/dev/console
	sync
	while :; do
		read -r _ 2>/dev/null || sleep 3600
	done
}

# record KEY VALUE - keep the answer the way cdebconf's questions.dat does.
record() {
	mkdir -p "${QUESTIONS%/*}"
	printf 'Name: %s\nTemplate: %s\nValue: %s\nOwners: d-i\nFlags: seen\n\n' \
		"$1" "$1" "$2" >>"$QUESTIONS"
}

# ask KEY TITLE QUESTION - the answer to KEY, or the question shown forever.
ask() {
	local key=$1 title=$2 question=$3 value
	if value=$(preseed_get "$key"); then
		log debconf "preseeded $key"
		case $key in
		*password*) record "$key" '********' ;;
		*) record "$key" "$value" ;;
		esac
		printf '%s' "$value"
		return 0
	fi
	dialog '!' "$title" "$question" >/dev/console
}

# ask_default KEY DEFAULT - booleans d-i never asks at critical priority.
ask_default() {
	local value
	value=$(preseed_get "$1") || value=$2
	record "$1" "$value"
	printf '%s' "$value"
}

# ask_or_default KEY DEFAULT TITLE QUESTION - ask, unless this installer
# never asks KEY (listed in DEFAULTED_KEYS by its frontend: ubiquity picks
# the boot loader device itself, subiquity's autoinstall has defaults).
ask_or_default() {
	case " ${DEFAULTED_KEYS:-} " in
	*" $1 "*) ask_default "$1" "$2" ;;
	*) ask "$1" "$3" "$4" ;;
	esac
}
