#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Module-wide promises, checked in a real PowerShell session (the xunit project checks the same on the
# assembly's metadata where no PowerShell exists).

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Module = Get-Module CpuidMask
    $Commands = @(Get-Command -Module CpuidMask)
}

Describe 'The CpuidMask module' {
    It 'exports exactly the eleven cmdlets of the manifest, and nothing else' {
        ($Commands.Name | Sort-Object) -join ',' |
            Should -Be 'Compare-CpuidProfile,Export-CpuidProfile,Get-CpuidBaseline,Get-CpuidFeature,Get-HostCpuid,Get-VmCpuidMask,New-VmCpuidMask,Set-VmCpuidMask,Set-VmEvcMode,Test-VmCpuidMask,Undo-VmCpuidMask'
        $Commands.CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
        $Module.ExportedAliases.Count | Should -Be 0
        $Module.ExportedFunctions.Count | Should -Be 0
        $Module.ExportedVariables.Count | Should -Be 0
    }

    It 'has the version of Directory.Build.props' {
        $props = [xml](Get-Content -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props') -Raw)
        $Module.Version | Should -Be ([version]$props.SelectSingleNode('/Project/PropertyGroup/VersionPrefix').InnerText)
    }

    It 'loads in both editions' {
        $manifest = Test-ModuleManifest -Path (Join-Path $Module.ModuleBase 'CpuidMask.psd1')
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($command in $Commands) {
            $approved | Should -Contain $command.Verb
        }
    }

    It 'declares an output type with a default view for every cmdlet' {
        foreach ($command in $Commands) {
            $command.OutputType.Count | Should -BeGreaterThan 0 -Because "$($command.Name) must declare [OutputType]"
            # Strings and booleans (Test-VmCpuidMask -Quiet) print as themselves; PowerShell needs no view for them.
            foreach ($type in $command.OutputType | Where-Object Name -notin 'System.String', 'System.Boolean') {
                Get-FormatData -TypeName $type.Name | Should -Not -BeNullOrEmpty -Because "$($type.Name) needs a view in CpuidMask.Format.ps1xml"
            }
        }
    }

    It 'has help with a synopsis, an example and every parameter for every cmdlet' {
        foreach ($command in $Commands) {
            $help = Get-Help -Name $command.Name -Full
            # Without MAML, Get-Help makes a synopsis of the syntax line, which starts with the command's name.
            $help.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($command.Name)) -Because "$($command.Name) needs its MAML help"
            $help.Synopsis | Should -Not -BeNullOrEmpty
            $help.Description | Should -Not -BeNullOrEmpty
            @($help.Examples.Example).Count | Should -BeGreaterThan 0
            $documented = @($help.Parameters.Parameter.Name)
            foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }) {
                $documented | Should -Contain $parameter -Because "-$parameter of $($command.Name) must be documented"
            }
        }
    }

    It 'asks before the Set and Undo cmdlets write to VMs and Export-CpuidProfile to a file, and only there' {
        foreach ($command in $Commands) {
            $supports = $command.Parameters.ContainsKey('WhatIf')
            $supports | Should -Be ($command.Verb -in 'Set', 'Undo', 'Export') -Because "$($command.Name)"
        }
        (Get-Command Set-VmCpuidMask).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
        # A file, like Export-Csv's: asked only with -Confirm.
        (Get-Command Export-CpuidProfile).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'Medium'
    }

    It 'has the about topic' {
        Get-Help about_CpuidMask | Out-String | Should -BeLike '*Set-VmCpuidMask*'
    }
}

Describe 'The worked case, end to end from the sample files' {
    It 'finds the blockers of the write-up and computes its four lines' {
        $hosts = Get-HostCpuid -Path $Avoton, $IvyBridge
        $rows = Compare-CpuidProfile -ReferenceProfile $hosts[0] -DifferenceProfile $hosts[1]
        (($rows | Where-Object SideIndicator -eq '=>').Feature | Sort-Object) -join ',' | Should -Be ($AvotonOnly -join ',')
        (($rows | Where-Object SideIndicator -eq '<=').Feature | Sort-Object) -join ',' | Should -Be ($IvyBridgeOnly -join ',')
        ($hosts | New-VmCpuidMask -AsVmx) -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }
}
