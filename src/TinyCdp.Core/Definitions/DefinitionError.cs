using TinyCdp.Language;

namespace TinyCdp.Definitions;

/// <summary>Why a definition (or a set of them) was rejected; nothing was changed.</summary>
/// <param name="Kind">The kind of the definition at fault.</param>
/// <param name="Key">Its key.</param>
/// <param name="Field">The field at fault: <c>key</c>, <c>expression</c>, <c>rule</c>, <c>rules[0].when</c>, <c>variants</c> …</param>
/// <param name="Message">A plain message naming the problem.</param>
public sealed record DefinitionError(DefinitionKind Kind, string Key, string Field, string Message)
{
    /// <summary>The expression error with its position, when the problem is in an expression.</summary>
    public ExpressionError? Expression { get; init; }

    /// <summary>For deletions refused because others depend on it: the dependents.</summary>
    public IReadOnlyList<string> Dependents { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => Message;
}
