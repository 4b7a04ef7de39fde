#!/bin/bash
# Reads every CPUID dump of an InstLatX64 checkout with `cpuidmask show` and counts what is read and what is
# refused, with each refusal's first words. Not part of the suite (it needs the collection, which is not ours
# to ship); run it after a reader change:
#   git clone https://github.com/InstLatx64/InstLatx64 /tmp/InstLatx64
#   bash tests/tools/survey-dumps.sh /tmp/InstLatx64
# At commit 087af2c7 (588 dumps) 585 read; the 3 refused are a Quark that answers leaves above its highest one
# and two CPUs reporting XSAVE with an all-zero leaf 0xD (an early Sandy Bridge stepping, and a Haswell dump
# whose vendor string is damaged).
set -u
collection=${1:?usage: survey-dumps.sh INSTLATX64_CHECKOUT}
here=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$here/src/CpuidMask.Cli" -c Release -v quiet -nologo >/dev/null || exit 2
cli="$here/src/CpuidMask.Cli/bin/Release/net10.0/cpuidmask"
read=0; refused=0
while IFS= read -r -d '' dump; do
    if message=$("$cli" show "$dump" --json 2>&1 >/dev/null); then
        read=$((read + 1))
    else
        refused=$((refused + 1))
        printf 'refused %s: %s\n' "${dump#"$collection"/}" "$(printf '%s' "$message" | head -c 200 | tr '\n' ' ')"
    fi
done < <(find "$collection" -mindepth 2 -maxdepth 2 -name '*CPUID*.txt' -print0 | sort -z)
echo "$read read, $refused refused"
