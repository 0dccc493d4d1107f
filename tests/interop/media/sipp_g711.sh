#!/usr/bin/env bash
# Interop A: SIPp (uac-pcap.xml) calls our rtp_peer directly and replays
# Debian sip-tester's captures: g711a.pcap (7 s of A-law speech, 30 ms
# packets) and RFC 4733 digits 1, 2, # (dtmf_2833_*.pcap, in another SSRC).
# We decode with our jitter buffer and G.711 to a WAV and score it with
# wav-compare.sh against the pcap's payload decoded by tshark + sox.
# Usage: sipp_g711.sh RTP_PEER INTEROP_DIR      Env: PCAP_DIR
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
need_tools sipp sox tshark perl ss
PCAP_DIR=${PCAP_DIR:-/usr/share/sip-tester}
[ -f "$PCAP_DIR/g711a.pcap" ] || skip "SIPp pcaps not in $PCAP_DIR (Debian sip-tester)"
[ -f "$IDIR/sipp/uac-pcap.xml" ] || skip "no $IDIR/sipp/uac-pcap.xml"

S=$W/scen
mkdir -p "$S"
cp "$IDIR/sipp/uac-pcap.xml" "$S/"
ln -sf "$PCAP_DIR"/*.pcap "$S/"
B=$(free_base 12) || die "no free local ports"

start_peer --record "$W/rx.wav" --seconds 40
log "sipp replays g711a.pcap + dtmf 1 2 # to 127.0.0.1:$SIP_PORT"
if (cd "$S" && timeout 60 sipp "127.0.0.1:$SIP_PORT" -sf uac-pcap.xml -s bob -key caller sipp \
	-i 127.0.0.1 -p "$B" -mi 127.0.0.1 -mp $((B + 2)) -m 1 -timeout 40s -timeout_error -nostdin \
	-trace_err -error_file "$W/sipp.err" >"$W/sipp.out" 2>&1); then
	echo "PASS sipp call completed"
else
	echo "FAIL sipp call (see $W/sipp.out, $W/sipp.err)"
	FAIL=1
fi
wait_peer 5

# reference: the pcap's A-law payload, decoded by tshark + sox
tshark -r "$PCAP_DIR/g711a.pcap" -d udp.port==2006,rtp -T fields -e rtp.payload 2>/dev/null |
	perl -ne 's/[:\s]//g; print pack("H*", $_)' >"$W/ref.al"
sox -t al -r 8000 -c 1 "$W/ref.al" -b 16 -e signed-integer "$W/ref.wav"
echo "reference: $(sox "$W/ref.wav" -n stat 2>&1 | awk -F: '/^Length|^RMS +amp/ {gsub(/ /,"",$2); printf "%s ", $2}')"
echo "received:  $(sox "$W/rx.wav" -n stat 2>&1 | awk -F: '/^Length|^RMS +amp/ {gsub(/ /,"",$2); printf "%s ", $2}')"
check "$IDIR/wav-compare.sh" "$W/ref.wav" "$W/rx.wav" 0.9
expect_digits "12#"
finish
