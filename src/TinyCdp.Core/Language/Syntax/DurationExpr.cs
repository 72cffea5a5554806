namespace TinyCdp.Language.Syntax;

/// <summary>A duration literal such as <c>30d</c>; only meaningful where a window is expected.</summary>
/// <param name="Window">The window it denotes.</param>
internal sealed record DurationExpr(Window Window) : Expr
{
    /// <inheritdoc />
    public bool Equals(DurationExpr? other) => other is not null && Window.Equals(other.Window);

    /// <inheritdoc />
    public override int GetHashCode() => Window.GetHashCode();
}
