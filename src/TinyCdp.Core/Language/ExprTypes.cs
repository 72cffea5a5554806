namespace TinyCdp.Language;

/// <summary>Names and compatibility rules of <see cref="ExprType"/>.</summary>
public static class ExprTypes
{
    /// <summary>The lower-case name used in messages and APIs: bool, number, string, list, any, null.</summary>
    public static string Name(this ExprType type) => type switch
    {
        ExprType.Bool => "bool",
        ExprType.Number => "number",
        ExprType.String => "string",
        ExprType.List => "list",
        ExprType.Any => "any",
        _ => "null",
    };

    /// <summary>Parses a name produced by <see cref="Name"/>.</summary>
    public static bool TryParse(string? name, out ExprType type)
    {
        switch (name)
        {
            case "bool": type = ExprType.Bool; return true;
            case "number": type = ExprType.Number; return true;
            case "string": type = ExprType.String; return true;
            case "list": type = ExprType.List; return true;
            case "any": type = ExprType.Any; return true;
            case "null": type = ExprType.Null; return true;
            default: type = ExprType.Any; return false;
        }
    }

    /// <summary>Whether a value of type <paramref name="actual"/> may stand where <paramref name="wanted"/> is needed.</summary>
    internal static bool Accepts(this ExprType wanted, ExprType actual) =>
        wanted == actual || wanted == ExprType.Any || actual is ExprType.Any or ExprType.Null;

    /// <summary>Whether two types can meaningfully be compared with <c>==</c>.</summary>
    internal static bool Comparable(ExprType left, ExprType right) =>
        left == right || left is ExprType.Any or ExprType.Null || right is ExprType.Any or ExprType.Null;
}
