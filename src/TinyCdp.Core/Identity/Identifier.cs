namespace TinyCdp.Identity;

/// <summary>An identifier value of a kind.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Value">The value (for emails, the hash).</param>
public readonly record struct Identifier(IdentifierKind Kind, string Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Value}";
}
