namespace TinyCdp.Language.Syntax;

/// <summary>An infix operator applied to two operands.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
internal sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right) : Expr
{
    /// <inheritdoc />
    public bool Equals(BinaryExpr? other) =>
        other is not null && Operator == other.Operator && Left.Equals(other.Left) && Right.Equals(other.Right);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Operator, Left, Right);
}
