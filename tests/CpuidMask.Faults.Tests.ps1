#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The module's write cmdlets under faults the simulator injects (tests/vcsim/README.md): what a user's session sees
# (errors, -PassThru objects, -UndoPath files) must match what an independent client (pyVmomi) reads from the VMs,
# and nothing else of a VM may be lost.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Mask = Get-HostCpuid -Path $Avoton, $IvyBridge | New-VmCpuidMask
    $MaskKeys = @($Mask.Lines | ForEach-Object { ($_ -split ' = ')[0] } | Sort-Object)

    function Get-MaskKey {
        # The cpuid.* keys a VM holds, as pyVmomi reads them.
        param($VCenter, [string] $Name)
        @((Read-TestVCenterVm -VCenter $VCenter -Name $Name).ExtraConfig | Where-Object Key -Like 'cpuid.*' | ForEach-Object Key)
    }

    function Get-Owner {
        param($VCenter, [string] $Name)
        ((Read-TestVCenterVm -VCenter $VCenter -Name $Name).ExtraConfig | Where-Object Key -EQ 'guestinfo.owner').Value
    }

    function New-UndoFolder {
        param([string] $Name)
        (New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name)).FullName
    }
}

Describe 'Write cmdlets under vCenter faults' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    AfterEach {
        Clear-TestVCenterFault -VCenter $vc
    }

    It 'settles a lost answer by reading the VM again: an error naming its undo file, -PassThru still hands out the undo, the rest not attempted' {
        $folder = New-UndoFolder 'drop'
        $fault = Add-TestVCenterFault -VCenter $vc -Fault 'drop-answer ReconfigVM_Task on vm-psf02'

        $changes = 'vm-psf01', 'vm-psf02', 'vm-psf03', 'vm-psf04' |
            Set-VmCpuidMask -Mask $Mask @Connection -UndoPath $folder -ThrottleLimit 1 -Confirm:$false -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue

        (Get-TestVCenterFault -VCenter $vc -Id $fault.Id).Fired | Should -Be 1
        $changes.VM | Should -Be 'vm-psf01', 'vm-psf02' -Because 'the VM whose answer was lost still gets the object that undoes it'
        $changes[1].Applied | Should -BeTrue -Because 'reading vm-psf02 again shows the change in place'
        $errors.Count | Should -Be 3
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmWriteInterrupted,*'
        $errors[0].TargetObject | Should -Be 'vm-psf02'
        $errors[0].ErrorDetails.Message | Should -Match 'shows the change in place'
        $errors[0].ErrorDetails.Message | Should -Match ([regex]::Escape($folder))
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Undo-VmCpuidMask -LiteralPath'
        $errors[1].FullyQualifiedErrorId | Should -BeLike 'VmNotAttempted,*'
        $errors[2].TargetObject | Should -Be 'vm-psf04'

        # What pyVmomi reads is what was reported: two VMs hold the mask, two hold nothing, all keep their owner.
        foreach ($name in 'vm-psf01', 'vm-psf02') { (Get-MaskKey $vc $name) | Sort-Object | Should -Be $MaskKeys }
        foreach ($name in 'vm-psf03', 'vm-psf04') { Get-MaskKey $vc $name | Should -BeNullOrEmpty }
        foreach ($name in 'vm-psf01', 'vm-psf02', 'vm-psf03', 'vm-psf04') { Get-Owner $vc $name | Should -Be 'faults' }

        $files = @(Get-ChildItem -LiteralPath $folder -Filter '*.json')
        $files.Count | Should -Be 2 -Because 'nothing was sent for the VMs not attempted, so they have no undo file'
        ($files | ForEach-Object { (Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json).outcome }) | Should -Be 'applied', 'applied'

        # Files piped from Get-ChildItem bind -LiteralPath and undo both VMs.
        $files | Undo-VmCpuidMask @Connection -Confirm:$false
        foreach ($name in 'vm-psf01', 'vm-psf02') {
            Get-MaskKey $vc $name | Should -BeNullOrEmpty
            Get-Owner $vc $name | Should -Be 'faults'
        }
    }

    It 'stops at -Timeout while vCenter holds a change: unknown outcome, and the undo file undoes it once it lands' {
        $folder = New-UndoFolder 'timeout'
        $fault = Add-TestVCenterFault -VCenter $vc -Fault 'freeze ReconfigVM_Task on vm-psf06'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        'vm-psf05', 'vm-psf06', 'vm-psf07' |
            Set-VmCpuidMask -Mask $Mask @Connection -UndoPath $folder -ThrottleLimit 1 -Timeout 4 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because '-Timeout cuts the held call short'
        $errors.Count | Should -Be 2
        $errors[0].TargetObject | Should -Be 'vm-psf06'
        $errors[0].ErrorDetails.Message | Should -Match 'unknown'
        $errors[1].FullyQualifiedErrorId | Should -BeLike 'VmNotAttempted,*'
        Get-MaskKey $vc 'vm-psf07' | Should -BeNullOrEmpty
        $file = Get-ChildItem -LiteralPath $folder -Filter 'cpuidmask-undo-vm-psf06-*.json'
        (Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json).outcome | Should -Be 'unknown'

        # vCenter performs the held call after the session gave up: the change lands, and its undo file takes it away.
        Resume-TestVCenterRequest -VCenter $vc -Id $fault.Id | Should -Be 1
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Get-MaskKey $vc 'vm-psf06') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Get-MaskKey $vc 'vm-psf06' | Should -Not -BeNullOrEmpty

        Undo-VmCpuidMask -LiteralPath $file.FullName @Connection -Confirm:$false
        Get-MaskKey $vc 'vm-psf06' | Should -BeNullOrEmpty
        Get-Owner $vc 'vm-psf06' | Should -Be 'faults'
    }

    It 'writes nothing when vCenter answers without config.changeVersion, unless -AllowUnguarded' {
        $folder = New-UndoFolder 'guard'
        $null = Add-TestVCenterFault -VCenter $vc -Fault 'strip-change-version RetrievePropertiesEx every'

        'vm-psf08', 'vm-psf09' | Set-VmCpuidMask -Mask $Mask @Connection -UndoPath $folder -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 2
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'VmChangeVersionMissing,*' }
        $errors[0].Exception.Message | Should -Match '-AllowUnguarded'
        foreach ($name in 'vm-psf08', 'vm-psf09') { Get-MaskKey $vc $name | Should -BeNullOrEmpty }
        @(Get-ChildItem -LiteralPath $folder).Count | Should -Be 0

        $changes = Set-VmCpuidMask -VM vm-psf08 -Mask $Mask @Connection -AllowUnguarded -Confirm:$false -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $changes.Applied | Should -BeTrue
        (Get-MaskKey $vc 'vm-psf08') | Sort-Object | Should -Be $MaskKeys
    }

    It 'reports a VM refused after its undo record was written (session ended) with the undo file, which says not-applied' {
        $folder = New-UndoFolder 'logout'
        $null = Add-TestVCenterFault -VCenter $vc -Fault 'logout ReconfigVM_Task on vm-psf10'

        'vm-psf10', 'vm-psf11' | Set-VmCpuidMask -Mask $Mask @Connection -UndoPath $folder -ThrottleLimit 1 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors[0].TargetObject | Should -Be 'vm-psf10'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NotAuthenticated,*'
        $errors[0].ErrorDetails.Message | Should -Match 'cpuidmask-undo-vm-psf10-'
        $file = Get-ChildItem -LiteralPath $folder -Filter 'cpuidmask-undo-vm-psf10-*.json'
        (Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json).outcome | Should -Be 'not-applied'
        Get-MaskKey $vc 'vm-psf10' | Should -BeNullOrEmpty
        Get-Owner $vc 'vm-psf10' | Should -Be 'faults'
    }
}
