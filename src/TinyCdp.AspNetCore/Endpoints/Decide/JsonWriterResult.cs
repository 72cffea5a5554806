using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TinyCdp.Evaluation;

namespace TinyCdp.AspNetCore.Endpoints.Decide;

/// <summary>A JSON response written directly with a <see cref="Utf8JsonWriter"/> (decision values are <c>Value</c>s, not POCOs).</summary>
internal sealed class JsonWriterResult(int status, Action<Utf8JsonWriter> write, string? etag = null) : IResult
{
    /// <summary>Buffers larger than this (a big export page) are not kept for the next response.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    // A buffer and a writer per thread, reused: the answer is written into the buffer, copied into
    // the response's pipe, and the buffer is free again before the first await.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public Task ExecuteAsync(HttpContext httpContext) =>
        Write(write, (httpContext, status, etag), static (body, target) => JsonBytesResult.WriteAsync(target.httpContext, target.status, body, target.etag));

    /// <summary>The bytes <paramref name="write"/> writes.</summary>
    public static byte[] Render(Action<Utf8JsonWriter> write) => Write(write, 0, static (body, _) => body.ToArray());

    /// <summary>Runs <paramref name="write"/> into this thread's buffer and hands the bytes to <paramref name="use"/>, which must not keep them.</summary>
    private static TResult Write<TState, TResult>(Action<Utf8JsonWriter> write, TState state, Func<ReadOnlySpan<byte>, TState, TResult> use)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        var writer = t_writer;
        t_writer = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffer);
        }
        else
        {
            writer.Reset(buffer);
        }

        try
        {
            write(writer);
            writer.Flush();
            return use(buffer.WrittenSpan, state);
        }
        finally
        {
            writer.Reset();
            if (buffer.Capacity <= KeptBufferBytes)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
                t_writer = writer;
            }
        }
    }
}

/// <summary>A JSON response whose bytes are already written.</summary>
internal sealed class JsonBytesResult(int status, byte[] body, string? etag = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, status, body, etag);

    /// <summary>Sets the status and headers and copies <paramref name="body"/> into the response before returning.</summary>
    public static Task WriteAsync(HttpContext httpContext, int status, ReadOnlySpan<byte> body, string? etag)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        response.ContentLength = body.Length;
        response.BodyWriter.Write(body);
        return FlushAsync(response.BodyWriter, httpContext.RequestAborted);
    }

    private static async Task FlushAsync(System.IO.Pipelines.PipeWriter body, CancellationToken cancellationToken) =>
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>Writes decisions in the seed's shape.</summary>
internal static class DecisionJson
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The length of <see cref="TryWriteTimestamp"/>'s text: <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int TimestampLength = 24;

    // Member names, encoded once.
    private static readonly JsonEncodedText Allow = JsonEncodedText.Encode("allow");
    private static readonly JsonEncodedText Variant = JsonEncodedText.Encode("variant");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText Reasons = JsonEncodedText.Encode("reasons");
    private static readonly JsonEncodedText ValidUntil = JsonEncodedText.Encode("validUntil");

    /// <summary>ISO-8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset instant) => instant.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// <see cref="Timestamp"/>'s text as UTF-8, written digit by digit (a custom format string is
    /// parsed again on every call, and every decide writes one).
    /// </summary>
    public static bool TryWriteTimestamp(DateTimeOffset instant, Span<byte> destination)
    {
        if (destination.Length < TimestampLength)
        {
            return false;
        }

        var utc = instant.UtcDateTime;
        Digits(destination[..4], utc.Year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), utc.Month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), utc.Day);
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), utc.Second);
        destination[19] = (byte)'.';
        Digits(destination.Slice(20, 3), utc.Millisecond);
        destination[23] = (byte)'Z';
        return true;
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>The members <c>allow, variant, value, reason, reasons, validUntil</c> of a seed decision.</summary>
    public static void WriteMembers(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteBoolean(Allow, decision.Allow);
        writer.WriteString(Variant, decision.Variant);
        writer.WritePropertyName(ValueName);
        decision.Value.WriteTo(writer);
        writer.WriteString(Reason, decision.ReasonText);
        writer.WriteStartArray(Reasons);
        var reasons = decision.Reasons;
        for (var i = 0; i < reasons.Count; i++)
        {
            writer.WriteStringValue(reasons[i]);
        }

        writer.WriteEndArray();
        if (decision.ValidUntil is { } validUntil)
        {
            Span<byte> text = stackalloc byte[TimestampLength];
            TryWriteTimestamp(validUntil, text);
            writer.WriteString(ValidUntil, text);
        }
        else
        {
            writer.WriteNull(ValidUntil);
        }
    }
}
