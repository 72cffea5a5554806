using System.Collections.Immutable;

namespace TinyCdp.Language.Syntax;

/// <summary><c>target(arguments)</c>: a function (<c>len(x)</c>) or a member call (<c>events.a.count(30d)</c>).</summary>
/// <param name="Target">What is called.</param>
/// <param name="Arguments">The arguments.</param>
internal sealed record CallExpr(Expr Target, ImmutableArray<Expr> Arguments) : Expr
{
    /// <inheritdoc />
    public bool Equals(CallExpr? other) => other is not null && Target.Equals(other.Target) && Arguments.SequenceEqual(other.Arguments);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Target);
        foreach (var argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }
}
