namespace TinyCdp.Language.Compilation;

/// <summary>An aggregate slot filled in once the whole expression has been accepted.</summary>
internal sealed class SlotReference
{
    public int Value { get; set; } = -1;
}
