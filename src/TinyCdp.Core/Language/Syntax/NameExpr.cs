namespace TinyCdp.Language.Syntax;

/// <summary>A bare name: a trait, a built-in, <c>events</c>, <c>profile</c>, <c>context</c>, or (inside <c>where</c>) an event property.</summary>
/// <param name="Name">The name.</param>
internal sealed record NameExpr(string Name) : Expr
{
    /// <inheritdoc />
    public bool Equals(NameExpr? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
}
