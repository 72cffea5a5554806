namespace TinyCdp.Language.Syntax;

/// <summary><c>target[index]</c>.</summary>
/// <param name="Target">The expression indexed.</param>
/// <param name="Index">The index or key.</param>
internal sealed record IndexExpr(Expr Target, Expr Index) : Expr
{
    /// <inheritdoc />
    public bool Equals(IndexExpr? other) => other is not null && Target.Equals(other.Target) && Index.Equals(other.Index);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Target, Index);
}
