namespace TinyCdp.Language.Syntax;

/// <summary><c>target.member</c>.</summary>
/// <param name="Target">The expression before the dot.</param>
/// <param name="Member">The name after the dot.</param>
internal sealed record MemberExpr(Expr Target, string Member) : Expr
{
    /// <inheritdoc />
    public bool Equals(MemberExpr? other) =>
        other is not null && string.Equals(Member, other.Member, StringComparison.Ordinal) && Target.Equals(other.Target);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Target, StringComparer.Ordinal.GetHashCode(Member));
}
