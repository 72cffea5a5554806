using System.Diagnostics.CodeAnalysis;
using TinyCdp.Language.Compilation;
using TinyCdp.Language.Syntax;

namespace TinyCdp.Language;

/// <summary>
/// Parses, binds, type-checks and compiles expressions. Every error is found here, with its
/// position; a rejected expression changes nothing (no aggregate is registered).
/// </summary>
public static class ExpressionCompiler
{
    /// <summary>Compiles <paramref name="source"/> as a <paramref name="kind"/> against <paramref name="environment"/>.</summary>
    public static bool TryCompile(string source, ExpressionKind kind, SymbolEnvironment environment,
        [NotNullWhen(true)] out CompiledExpression? compiled, [NotNullWhen(false)] out ExpressionError? error)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!ExpressionParser.TryParse(source, out var syntax, out error))
        {
            compiled = null;
            return false;
        }

        return ExpressionBinder.TryBind(syntax, source, environment, kind, out compiled, out error);
    }

    /// <summary>Compiles or throws <see cref="TinyCdpException"/> with <see cref="TinyCdpErrorCode.InvalidExpression"/>.</summary>
    public static CompiledExpression Compile(string source, ExpressionKind kind, SymbolEnvironment environment)
    {
        if (TryCompile(source, kind, environment, out var compiled, out var error))
        {
            return compiled;
        }

        throw new TinyCdpException(TinyCdpErrorCode.InvalidExpression, error.Message) { ExpressionError = error };
    }
}
