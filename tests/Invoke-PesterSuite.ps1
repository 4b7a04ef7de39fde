#Requires -Version 5.1
<#
.SYNOPSIS
Runs the Pester suite (tests/*.Tests.ps1) against a staged CpuidMask module and prints one summary line.

.DESCRIPTION
The one place that knows how the Pester tests are run; tests/run-tests.sh and build.ps1 -Task Test both call
it in a fresh shell, so the module's assemblies are never locked in the caller's session.

Pester is imported from -PesterPath, else $env:CPUIDMASK_PESTER, else the NuGet package cache (the package's
tools/ folder is the module; tests/tools/TestTools.csproj restores it), else the newest Pester 5 installed.
The last line of output is "PESTER passed=N failed=N skipped=N notrun=N"; the exit code is the number of
failed, skipped and not-run tests together (0 when all passed).

.PARAMETER Module
The staged module to test: a folder or a CpuidMask.psd1.

.PARAMETER ResultPath
Where to write the NUnit XML result; none by default.

.PARAMETER Path
Test files or folders; tests/ by default.
#>
[CmdletBinding(PositionalBinding = $false)]
param(
    [Parameter(Mandatory)] [string] $Module,
    [string] $ResultPath,
    [string[]] $Path = @($PSScriptRoot),
    [string] $PesterPath,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')] [string] $Verbosity = 'Normal'
)

$ErrorActionPreference = 'Stop'

function Find-Pester {
    foreach ($candidate in @($PesterPath, $env:CPUIDMASK_PESTER)) {
        if ($candidate) {
            if (Test-Path -LiteralPath $candidate -PathType Container) { $candidate = Join-Path $candidate 'Pester.psd1' }
            if (-not (Test-Path -LiteralPath $candidate)) { throw "Pester is not at '$candidate'." }
            return $candidate
        }
    }

    # NuGet's global packages folder: $env:NUGET_PACKAGES, else ~/.nuget/packages.
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $restored = Get-ChildItem -LiteralPath (Join-Path $packages 'pester') -Directory -ErrorAction SilentlyContinue |
        Where-Object { $_.Name -match '^5\.\d+\.\d+$' -and (Test-Path -LiteralPath (Join-Path $_.FullName 'tools/Pester.psd1')) } |
        Sort-Object { [version]$_.Name } -Descending | Select-Object -First 1
    if ($restored) { return (Join-Path $restored.FullName 'tools/Pester.psd1') }

    $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -eq 5 } |
        Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    throw 'Pester 5 was not found: run "dotnet restore tests/tools/TestTools.csproj" (the NuGet package) or Install-Module Pester -MinimumVersion 5.0.'
}

$pester = Find-Pester
Import-Module $pester -Force
$env:CPUIDMASK_MODULE = (Resolve-Path -LiteralPath $Module).ProviderPath

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Verbosity
if ($ResultPath) {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = $ResultPath
}

Write-Host "Pester $((Get-Module Pester).Version) in PowerShell $($PSVersionTable.PSVersion) against $env:CPUIDMASK_MODULE"
$result = Invoke-Pester -Configuration $configuration
# A container that failed to run (a syntax error, a failing BeforeAll) counts as a failure too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"PESTER passed=$($result.PassedCount) failed=$failed skipped=$($result.SkippedCount) notrun=$($result.NotRunCount)"
exit ($failed + $result.SkippedCount + $result.NotRunCount)
