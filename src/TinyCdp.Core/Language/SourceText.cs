namespace TinyCdp.Language;

internal static class SourceText
{
    /// <summary>1-based line and column of an offset; a line ends at '\n'.</summary>
    public static (int Line, int Column) LineAndColumn(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
