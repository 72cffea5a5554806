namespace TinyCdp.Definitions;

/// <summary>The outcome of a save or delete.</summary>
/// <param name="Error">Why it was refused; null on success. Nothing changed when set.</param>
/// <param name="Code">The kind of refusal, when refused.</param>
/// <param name="Version">The catalog version after the change (the current one when refused).</param>
public sealed record DefinitionResult(DefinitionError? Error, TinyCdpErrorCode? Code, long Version)
{
    /// <summary>True when the change was saved.</summary>
    public bool Succeeded => Error is null;
}
