using System.Collections.Immutable;

namespace TinyCdp.Language.Syntax;

/// <summary><c>[a, b, c]</c>.</summary>
/// <param name="Items">The items.</param>
internal sealed record ListExpr(ImmutableArray<Expr> Items) : Expr
{
    /// <inheritdoc />
    public bool Equals(ListExpr? other) => other is not null && Items.SequenceEqual(other.Items);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
