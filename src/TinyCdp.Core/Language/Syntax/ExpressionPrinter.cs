using System.Text;

namespace TinyCdp.Language.Syntax;

/// <summary>
/// Prints the canonical form of an expression: symbolic operators (<c>&amp;&amp; || !</c>), single
/// spaces around infix operators, double-quoted strings, the shortest round-trip numbers, and
/// only the parentheses that precedence requires. Parsing the output gives an equal tree.
/// </summary>
internal static class ExpressionPrinter
{
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;
    private const int CompareLevel = 4;
    private const int SumLevel = 5;
    private const int ProductLevel = 6;
    private const int NegateLevel = 7;
    private const int PostfixLevel = 8;

    /// <summary>The canonical text of <paramref name="expression"/>.</summary>
    public static string Print(Expr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var builder = new StringBuilder();
        Write(builder, expression, OrLevel);
        return builder.ToString();
    }

    /// <summary>The canonical text of an operator.</summary>
    public static string Text(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => "||",
        BinaryOperator.And => "&&",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.In => "in",
        BinaryOperator.NotIn => "not in",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        _ => "%",
    };

    private static int Level(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => OrLevel,
        BinaryOperator.And => AndLevel,
        BinaryOperator.Add or BinaryOperator.Subtract => SumLevel,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder => ProductLevel,
        _ => CompareLevel,
    };

    private static int Level(Expr expression) => expression switch
    {
        BinaryExpr binary => Level(binary.Operator),
        UnaryExpr { Operator: UnaryOperator.Not } => NotLevel,
        UnaryExpr => NegateLevel,
        _ => PostfixLevel,
    };

    private static void Write(StringBuilder builder, Expr expression, int minimumLevel)
    {
        var parenthesize = Level(expression) < minimumLevel;
        if (parenthesize)
        {
            builder.Append('(');
        }

        switch (expression)
        {
            case LiteralExpr literal:
                builder.Append(literal.Value.Kind == ValueKind.String ? Lexicon.Quote(literal.Value.AsString!) : literal.Value.ToString());
                break;
            case DurationExpr duration:
                builder.Append(duration.Window.ToString());
                break;
            case NameExpr name:
                builder.Append(name.Name);
                break;
            case ListExpr list:
                builder.Append('[');
                WriteItems(builder, list.Items);
                builder.Append(']');
                break;
            case MemberExpr member:
                WriteTarget(builder, member.Target);
                builder.Append('.').Append(member.Member);
                break;
            case IndexExpr index:
                WriteTarget(builder, index.Target);
                builder.Append('[');
                Write(builder, index.Index, OrLevel);
                builder.Append(']');
                break;
            case CallExpr call:
                WriteTarget(builder, call.Target);
                builder.Append('(');
                WriteItems(builder, call.Arguments);
                builder.Append(')');
                break;
            case UnaryExpr unary:
                builder.Append(unary.Operator == UnaryOperator.Not ? "!" : "-");
                Write(builder, unary.Operand, unary.Operator == UnaryOperator.Not ? NotLevel : NegateLevel);
                break;
            case BinaryExpr binary:
                var level = Level(binary.Operator);

                // Left-associative chains keep their left operand at the same level; comparisons do not chain.
                var leftLevel = level == CompareLevel ? SumLevel : level;
                var rightLevel = level == CompareLevel ? SumLevel : level + 1;
                if (level == AndLevel)
                {
                    rightLevel = NotLevel;
                }

                Write(builder, binary.Left, leftLevel);
                builder.Append(' ').Append(Text(binary.Operator)).Append(' ');
                Write(builder, binary.Right, rightLevel);
                break;
            default:
                throw new ArgumentException($"Unknown node {expression.GetType().Name}.", nameof(expression));
        }

        if (parenthesize)
        {
            builder.Append(')');
        }
    }

    private static void WriteTarget(StringBuilder builder, Expr target)
    {
        // A number before '.' would read as a fraction, so it is parenthesized.
        var needsParentheses = Level(target) < PostfixLevel || target is LiteralExpr { Value.Kind: ValueKind.Number } or DurationExpr;
        if (needsParentheses)
        {
            builder.Append('(');
            Write(builder, target, OrLevel);
            builder.Append(')');
        }
        else
        {
            Write(builder, target, PostfixLevel);
        }
    }

    private static void WriteItems(StringBuilder builder, IEnumerable<Expr> items)
    {
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            Write(builder, item, OrLevel);
            first = false;
        }
    }
}
