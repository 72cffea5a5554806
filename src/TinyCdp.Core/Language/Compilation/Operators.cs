using TinyCdp.Language.Syntax;

namespace TinyCdp.Language.Compilation;

/// <summary>The run-time meaning of the infix operators (LANGUAGE.md "Run-time values"). Total: never throws.</summary>
internal static class Operators
{
    public static Value Apply(BinaryOperator op, Value left, Value right) => op switch
    {
        BinaryOperator.Equal => Value.Bool(left.Equals(right)),
        BinaryOperator.NotEqual => Value.Bool(!left.Equals(right)),
        BinaryOperator.Less => Value.Bool(Value.TryCompare(left, right, out var order) && order < 0),
        BinaryOperator.LessOrEqual => Value.Bool(Value.TryCompare(left, right, out var order) && order <= 0),
        BinaryOperator.Greater => Value.Bool(Value.TryCompare(left, right, out var order) && order > 0),
        BinaryOperator.GreaterOrEqual => Value.Bool(Value.TryCompare(left, right, out var order) && order >= 0),
        BinaryOperator.In => Value.Bool(Contains(right, left)),
        BinaryOperator.NotIn => Value.Bool(!Contains(right, left)),
        BinaryOperator.And => Value.Bool(left.IsTrue && right.IsTrue),
        BinaryOperator.Or => Value.Bool(left.IsTrue || right.IsTrue),
        _ => Arithmetic(op, left, right),
    };

    /// <summary>Membership by the language's equality; false when <paramref name="list"/> is not a list.</summary>
    public static bool Contains(Value list, Value item)
    {
        foreach (var candidate in list.Items)
        {
            if (candidate.Equals(item))
            {
                return true;
            }
        }

        return false;
    }

    private static Value Arithmetic(BinaryOperator op, Value left, Value right)
    {
        if (!left.TryGetNumber(out var a) || !right.TryGetNumber(out var b))
        {
            return Value.Null;
        }

        return op switch
        {
            BinaryOperator.Add => Value.Number(a + b),
            BinaryOperator.Subtract => Value.Number(a - b),
            BinaryOperator.Multiply => Value.Number(a * b),
            BinaryOperator.Divide => b == 0 ? Value.Null : Value.Number(a / b),
            _ => b == 0 ? Value.Null : Value.Number(a % b),
        };
    }
}
