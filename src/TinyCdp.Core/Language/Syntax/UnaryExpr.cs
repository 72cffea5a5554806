namespace TinyCdp.Language.Syntax;

/// <summary>A prefix operator applied to an operand.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Operand">The operand.</param>
internal sealed record UnaryExpr(UnaryOperator Operator, Expr Operand) : Expr
{
    /// <inheritdoc />
    public bool Equals(UnaryExpr? other) => other is not null && Operator == other.Operator && Operand.Equals(other.Operand);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Operator, Operand);
}
