using System;

namespace CpuidMask.Engine.Model
{
    /// <summary>The EAX..EDX result of one CPUID query.</summary>
    public readonly struct CpuidRegisters : IEquatable<CpuidRegisters>
    {
        public CpuidRegisters(uint eax, uint ebx, uint ecx, uint edx)
        {
            Eax = eax;
            Ebx = ebx;
            Ecx = ecx;
            Edx = edx;
        }

        public uint Eax { get; }

        public uint Ebx { get; }

        public uint Ecx { get; }

        public uint Edx { get; }

        public uint this[CpuidRegister register] => register switch
        {
            CpuidRegister.Eax => Eax,
            CpuidRegister.Ebx => Ebx,
            CpuidRegister.Ecx => Ecx,
            CpuidRegister.Edx => Edx,
            _ => throw new ArgumentOutOfRangeException(nameof(register)),
        };

        public CpuidRegisters With(CpuidRegister register, uint value) => register switch
        {
            CpuidRegister.Eax => new CpuidRegisters(value, Ebx, Ecx, Edx),
            CpuidRegister.Ebx => new CpuidRegisters(Eax, value, Ecx, Edx),
            CpuidRegister.Ecx => new CpuidRegisters(Eax, Ebx, value, Edx),
            CpuidRegister.Edx => new CpuidRegisters(Eax, Ebx, Ecx, value),
            _ => throw new ArgumentOutOfRangeException(nameof(register)),
        };

        public bool Equals(CpuidRegisters other) =>
            Eax == other.Eax && Ebx == other.Ebx && Ecx == other.Ecx && Edx == other.Edx;

        public override bool Equals(object? obj) => obj is CpuidRegisters other && Equals(other);

        public override int GetHashCode() => unchecked((int)(Eax ^ (Ebx * 31) ^ (Ecx * 17) ^ (Edx * 7)));

        public override string ToString() => $"{Eax:X8}-{Ebx:X8}-{Ecx:X8}-{Edx:X8}";
    }
}
