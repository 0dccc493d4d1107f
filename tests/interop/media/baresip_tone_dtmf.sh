#!/usr/bin/env bash
# Interop B: a baresip phone (Debian baresip 1.0.0, headless) calls our
# rtp_peer directly.  We send a 1 kHz tone with our RTP sender and digits
# 456 as RFC 4733 events; baresip plays a 440 Hz tone and sends '123#'
# (cons key presses with release).  Checks: baresip recorded 1 kHz (sox),
# we recorded 440 Hz, our receiver decoded '123#', baresip logged our
# digits.
# Usage: baresip_tone_dtmf.sh RTP_PEER INTEROP_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
need_tools baresip sox ss
baresip_moddir >/dev/null || skip "baresip modules not found"
B=$(free_base 8) || die "no free local ports"
R=$((B + 10))
for ((p = R; p < R + 20; p++)); do port_busy udp $p && die "port $p busy"; done
SENT_DIGITS=456

A=$W/alice
sox -n -r 8000 -c 1 -b 16 -e signed-integer "$W/alice.wav" synth 60 sine 440 vol 0.5
start_peer --record "$W/rx.wav" --tone 1000 --dtmf "$SENT_DIGITS" --seconds 40
baresip_conf "$A" 127.0.0.1 "$B" "$R-$((R + 19))" $((B + 4)) $((B + 6)) "$W/alice.wav"
# no registrar: regint=0, and the call goes straight to rtp_peer
echo "<sip:alice@127.0.0.1:$SIP_PORT;transport=udp>;regint=0;audio_codecs=pcmu;answermode=manual" >"$A/accounts"
baresip -f "$A" -e "/dial sip:bob@127.0.0.1:$SIP_PORT" -t 10 </dev/null >"$A/baresip.log" 2>&1 &
PIDS+=($!)
wait_for "$W/peer.out" '^ESTABLISHED' 10 || { tail -n 20 "$A/baresip.log"; die "call not established"; }
log "call established; sending DTMF 123# from baresip"
sleep 2
for d in 1 2 3 '#'; do
	printf '%s' "$d" >"/dev/udp/127.0.0.1/$((B + 6))"
	sleep 0.2
	printf '\004' >"/dev/udp/127.0.0.1/$((B + 6))"
	sleep 0.2
done
wait_peer 15
stop_pid "${PIDS[1]}" 3

check wav_tone_check "$(ls "$A"/rec/*-dec.wav 2>/dev/null | head -n 1)" 1000 5
check wav_tone_check "$W/rx.wav" 440 5
expect_digits "123#"
got=$(tr '\r' '\n' <"$A/baresip.log" | sed -n "s/.*received event: '\(.\)' (end=1).*/\1/p" | tr -d '\n')
if [ "$got" = "$SENT_DIGITS" ]; then echo "PASS baresip decoded our RFC 4733 digits '$got'"; else
	echo "FAIL baresip decoded '$got', we sent '$SENT_DIGITS'"
	FAIL=1
fi
finish
