# bash completion for roiwatch, the operator's command line of roiwatchd:
# commands, subcommands and their options, client ids, receiver and source
# names, and digest formats. The names come from the configuration that
# the command line being typed would read (its -c and -S), through the
# program itself: `roiwatch __complete clients|receivers [CLIENT]|sources|
# formats`, which prints nothing when the configuration cannot be read.
# Plain bash (compgen), no bash-completion helpers needed.

# Words the program prints for `__complete "$@"`, with the -c/-S typed.
_roiwatch_names()
{
	"${_roiwatch_prog}" "${_roiwatch_conf[@]}" __complete "$@" 2>/dev/null
}

_roiwatch()
{
	local cur prev w cmd="" sub="" client="" npos=0 i
	local _roiwatch_prog=${COMP_WORDS[0]}
	local -a _roiwatch_conf=()
	local commands="check-config ingest kpis alerts sample sources
	    test-notify backtest silence outbox digest annotate annotations help"
	# Options that take a value, whatever the command.
	local valued=" -c --config -S --state-dir --source --date --window --by
	    --days --from --to --rule --campaign --until --reason --status
	    --client --receiver --limit --period --format --channel --remove "

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# The program as typed (./build/roiwatch too), so that it reads the
	# same configuration as the command will.
	[[ -z $_roiwatch_prog ]] && _roiwatch_prog=roiwatch

	# The command, its subcommand, its first argument (the client) and how
	# many arguments precede the word being completed.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $valued == *" $w "* ]]; then
			if [[ -z $cmd && ( $w == -c || $w == --config ||
			    $w == -S || $w == --state-dir ) ]]; then
				_roiwatch_conf+=("$w" "${COMP_WORDS[i + 1]/#\~/$HOME}")
			fi
			((i++))
			continue
		fi
		[[ $w == -* ]] && continue
		if [[ -z $cmd ]]; then
			cmd=$w
		elif [[ -z $sub && ( $cmd == silence || $cmd == outbox ) ]]; then
			sub=$w
		else
			((npos == 0)) && client=$w
			((npos++))
		fi
	done

	# The value of an option.
	case $prev in
	-c|--config|-S|--state-dir)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--client)
		COMPREPLY=($(compgen -W "$(_roiwatch_names clients)" -- "$cur"))
		return 0 ;;
	--receiver)
		if [[ $cmd == digest && -n $client ]]; then
			COMPREPLY=($(compgen -W "$(_roiwatch_names receivers \
			    "$client")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_roiwatch_names receivers)" \
			    -- "$cur"))
		fi
		return 0 ;;
	--source)
		COMPREPLY=($(compgen -W "$(_roiwatch_names sources)" -- "$cur"))
		return 0 ;;
	--format)
		COMPREPLY=($(compgen -W "$(_roiwatch_names formats)" -- "$cur"))
		return 0 ;;
	--by)
		COMPREPLY=($(compgen -W "campaign channel client" -- "$cur"))
		return 0 ;;
	--window)
		COMPREPLY=($(compgen -W "lifetime today yesterday 7d 30d
		    last_7_days last_30_days wtd mtd last_month data_7d
		    data_30d" -- "$cur"))
		return 0 ;;
	--status)
		COMPREPLY=($(compgen -W "pending retrying dead done all" \
		    -- "$cur"))
		return 0 ;;
	--period)
		COMPREPLY=($(compgen -W "yesterday last-week last-month
		    last-7-days" -- "$cur"))
		return 0 ;;
	esac
	[[ $valued == *" $prev "* ]] && return 0	# a free value

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-c --config -S --state-dir -h
			    --help -V --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return 0
	fi

	local opts="" args=""	# args: what the next argument is
	case $cmd in
	check-config)	opts="--options"; args=file ;;
	ingest)		opts="--source --partial --atomic --date"; args=file ;;
	kpis)		opts="--window --by --days --json"; args=client ;;
	alerts)		opts="--all --json"; args=client ;;
	sample)		args=client ;;
	sources)	opts="--json" ;;
	test-notify)	args=client
			((npos == 1)) && args=receiver ;;
	backtest)	opts="--from --to --rule"; args=client ;;
	digest)		opts="--preview --send-now --period --format
			    --receiver"; args=client ;;
	annotate)	opts="--campaign --channel --date --remove"
			args=client ;;
	annotations)	opts="--from --to --json"; args=client ;;
	help)		((npos == 0)) && COMPREPLY=($(compgen -W "$commands" \
			    -- "$cur"))
			return 0 ;;
	silence|outbox)
		if [[ -z $sub ]]; then
			if [[ $cmd == silence ]]; then
				COMPREPLY=($(compgen -W "add list remove" \
				    -- "$cur"))
			else
				COMPREPLY=($(compgen -W "list show retry drop" \
				    -- "$cur"))
			fi
			return 0
		fi
		case $cmd/$sub in
		silence/add)	opts="--campaign --rule --until --reason"
				args=client ;;
		silence/list)	opts="--all"; args=client ;;
		outbox/list)	opts="--status --client --receiver --limit
				    --json" ;;
		outbox/show)	opts="--json" ;;
		outbox/retry)	opts="--dead --client" ;;
		outbox/drop)	opts="--force" ;;
		esac ;;
	*)	return 0 ;;
	esac
	opts="$opts --help"

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ $args == file ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	elif [[ $args == client ]] && ((npos == 0)); then
		COMPREPLY=($(compgen -W "$(_roiwatch_names clients)" -- "$cur"))
	elif [[ $args == receiver ]]; then
		COMPREPLY=($(compgen -W "$(_roiwatch_names receivers \
		    "$client")" -- "$cur"))
	fi
	return 0
}

complete -F _roiwatch roiwatch
