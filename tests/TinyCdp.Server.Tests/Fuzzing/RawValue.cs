namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// A JSON value as raw bytes, to put where a field's value goes. <see cref="MayBreakBody"/>: the bytes
/// may make the whole body unreadable (not JSON, not UTF-8, nested past a parser's depth), so an error
/// may name the body instead of the field.
/// </summary>
internal sealed record RawValue(string Label, byte[] Bytes, bool MayBreakBody)
{
    public static RawValue Json(string label, string json, bool mayBreakBody = false) => new(label, JsonText.Utf8(json), mayBreakBody);

    public static RawValue String(string label, string text, bool asciiOnly = false) => Json(label, JsonText.Quote(text, asciiOnly));

    public override string ToString() => $"{Label}: {JsonText.Show(Bytes, 80)}";
}
