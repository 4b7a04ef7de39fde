using System;

namespace CpuidMask.Engine.Model
{
    /// <summary>Which registers of a leaf a source actually reported (a boot-CD line gives only ECX or EDX).</summary>
    [Flags]
    public enum RegisterSet
    {
        None = 0,
        Eax = 1,
        Ebx = 2,
        Ecx = 4,
        Edx = 8,
        All = Eax | Ebx | Ecx | Edx,
    }

    /// <summary>One CPUID result: the input (leaf, subleaf) and the four output registers.</summary>
    public sealed class CpuidLeaf
    {
        public CpuidLeaf(LeafKey key, CpuidRegisters registers, RegisterSet known = RegisterSet.All)
        {
            Key = key;
            Registers = registers;
            Known = known;
        }

        public CpuidLeaf(uint leaf, uint subleaf, uint eax, uint ebx, uint ecx, uint edx)
            : this(new LeafKey(leaf, subleaf), new CpuidRegisters(eax, ebx, ecx, edx))
        {
        }

        public LeafKey Key { get; }

        public uint Leaf => Key.Leaf;

        public uint Subleaf => Key.Subleaf;

        public CpuidRegisters Registers { get; }

        public RegisterSet Known { get; }

        public bool IsKnown(CpuidRegister register) => (Known & ToFlag(register)) != 0;

        public static RegisterSet ToFlag(CpuidRegister register) => (RegisterSet)(1 << (int)register);

        public override string ToString() => $"{Key}: {Registers}";
    }
}
