using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TinyCdp.Ingestion;

/// <summary>
/// The size of a message as <see cref="MessageValidator"/> measures it: the UTF-8 length of the
/// message written as compact JSON with Segment's field names, null fields left out, non-ASCII
/// text written as UTF-8 rather than escaped, instants in the shortest UTC ISO-8601 form, and no
/// <c>type</c> (a route's message has none). A message sent compactly with Segment's names
/// measures what its raw JSON does. Only the byte count is kept: the JSON goes through a small
/// reused buffer.
/// </summary>
internal static class MessageSize
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static long Measure(CdpMessage message)
    {
        var counter = new CountingBufferWriter();
        using (var writer = new Utf8JsonWriter(counter, Options))
        {
            writer.WriteStartObject();
            WriteIfPresent(writer, "userId", message.UserId);
            WriteIfPresent(writer, "anonymousId", message.AnonymousId);
            WriteIfPresent(writer, "previousId", message.PreviousId);
            WriteIfPresent(writer, "groupId", message.GroupId);
            WriteIfPresent(writer, EventField(message.Kind), message.Event);
            WriteIfPresent(writer, "category", message.Category);
            WriteIfPresent(writer, "messageId", message.MessageId);
            WriteIfPresent(writer, "timestamp", message.Timestamp);
            WriteIfPresent(writer, "sentAt", message.SentAt);

            WriteIfPresent(writer, "properties", message.Properties);
            WriteIfPresent(writer, "traits", message.Traits);
            WriteIfPresent(writer, "context", message.Context);
            writer.WriteEndObject();
        }

        return counter.Count;
    }

    /// <summary>The JSON name of <see cref="CdpMessage.Event"/> for a kind: <c>name</c> for page and screen.</summary>
    public static string EventField(MessageKind kind) => kind is MessageKind.Page or MessageKind.Screen ? "name" : "event";

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    // The shortest ISO-8601 form, in UTC: 2024-05-01T12:00:00Z, 2024-05-01T12:00:00.123Z.
    private static void WriteIfPresent(Utf8JsonWriter writer, string name, DateTimeOffset? instant)
    {
        if (instant is { } value)
        {
            writer.WriteString(name, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, Language.Value value)
    {
        if (!value.IsNull)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
    }

    private sealed class CountingBufferWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[1024];

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Buffer(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Buffer(sizeHint);

        private byte[] Buffer(int sizeHint)
        {
            if (sizeHint > _buffer.Length)
            {
                _buffer = new byte[Math.Max(sizeHint, _buffer.Length * 2)];
            }

            return _buffer;
        }
    }
}
