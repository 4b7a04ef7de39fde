<#
.SYNOPSIS
    Writes tests/data/catalog/x86cpuid-bits.tsv from VMware's x86cpuid.h: every one-bit CPUID field with the monitor's
    support for it and the first virtual hardware version that exposes it.
.DESCRIPTION
    The table is the independent side of the golden test of features.xml's hwversion= attributes
    (tests/CpuidMask.Engine.Tests/HardwareVersionTests.cs). Take the header from vmware/open-vm-tools
    (open-vm-tools/lib/include/x86cpuid.h), name the commit it comes from, and review the diff of the table.
.EXAMPLE
    git -C open-vm-tools show 6d26baf3fb946cef338cf4dcc8911cdf733cc71c:open-vm-tools/lib/include/x86cpuid.h > x86cpuid.h
    ./tests/tools/Export-X86CpuidBits.ps1 -Header x86cpuid.h -Commit 6d26baf3fb946cef338cf4dcc8911cdf733cc71c
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Header,
    [Parameter(Mandatory)] [ValidatePattern('^[0-9a-f]{40}$')] [string] $Commit,
    [string] $OutFile = (Join-Path $PSScriptRoot '../data/catalog/x86cpuid-bits.tsv')
)

$ErrorActionPreference = 'Stop'
$text = Get-Content -LiteralPath $Header -Raw

# CPUIDLEVEL(masked, short name, leaf, subleaf count, hardware version): the short names the field macros use.
$leaves = @{}
foreach ($m in [regex]::Matches($text, 'CPUIDLEVEL\(\s*(TRUE|FALSE)\s*,\s*(\w+)\s*,\s*(0x[0-9a-fA-F]+)\s*,')) {
    $leaves[$m.Groups[2].Value] = [Convert]::ToUInt32($m.Groups[3].Value.Substring(2), 16)
}

# FIELD/FLAG(level, subleaf, register, position, width, NAME, support, hardware version).
$pattern = '(?m)^\s*(?:FIELD|FLAG)\(\s*(\w+)\s*,\s*(\d+)\s*,\s*(EAX|EBX|ECX|EDX)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\w+)\s*,\s*(YES|NO|ANY|NA)\s*,\s*(\w+)\s*\)'
$rows = foreach ($m in [regex]::Matches($text, $pattern)) {
    if ($m.Groups[5].Value -ne '1') { continue }
    $level = $m.Groups[1].Value
    if (-not $leaves.ContainsKey($level)) { throw "x86cpuid.h names level '$level', which CPUID_KNOWN_LEVELS does not define." }
    [pscustomobject]@{
        Leaf      = $leaves[$level]
        Subleaf   = [int]$m.Groups[2].Value
        Register  = $m.Groups[3].Value.ToLowerInvariant()
        Bit       = [int]$m.Groups[4].Value
        Name      = $m.Groups[6].Value
        Support   = $m.Groups[7].Value
        HwVersion = $m.Groups[8].Value
    }
}

if (@($rows).Count -lt 500) { throw "Only $(@($rows).Count) one-bit fields were found in $Header; is it x86cpuid.h?" }

$lines = @(
    '# Every one-bit CPUID field of VMware''s x86cpuid.h, re-listed as data (facts only) by tests/tools/Export-X86CpuidBits.ps1.'
    "# Source: vmware/open-vm-tools, open-vm-tools/lib/include/x86cpuid.h at commit $Commit."
    '# support: YES = exposed when the host has it; ANY = the monitor can expose it without the host; NO = never exposed;'
    '#   NA = in a leaf VMware does not mask (the monitor fills it in). hwversion: the first virtual hardware version that'
    '#   exposes the field (YES/ANY), FUT = no released version yet, 0 = none (NO/NA).'
    "leaf`tsubleaf`tregister`tbit`tname`tsupport`thwversion"
)
$lines += $rows | Sort-Object Leaf, Subleaf, Register, Bit | ForEach-Object {
    "0x{0:X}`t{1}`t{2}`t{3}`t{4}`t{5}`t{6}" -f $_.Leaf, $_.Subleaf, $_.Register, $_.Bit, $_.Name, $_.Support, $_.HwVersion
}

$directory = Split-Path -Parent $OutFile
if (-not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory | Out-Null }
[System.IO.File]::WriteAllText($OutFile, ($lines -join "`n") + "`n")
Write-Host "$OutFile`: $(@($rows).Count) one-bit fields"
