namespace TinyCdp.Language.Syntax;

/// <summary>A number, string, <c>true</c>, <c>false</c> or <c>null</c>. Number literals are never negative (<c>-2</c> is a negation).</summary>
/// <param name="Value">The literal's value.</param>
internal sealed record LiteralExpr(Value Value) : Expr
{
    /// <inheritdoc />
    public bool Equals(LiteralExpr? other) => other is not null && Value.Equals(other.Value);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();
}
