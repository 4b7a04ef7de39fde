namespace CpuidMask.Vim { internal static class Placeholder { } }
