using System.Globalization;

namespace TinyCdp.Ingestion;

/// <summary>
/// Why a message or a batch was rejected, naming the field. For a batch item the
/// <see cref="Field"/> starts with <c>batch[i]</c> and the <see cref="Message"/> with
/// <c>batch[i]: </c>, so either can be shown on its own.
/// </summary>
/// <param name="Kind">The category (400 or 413 over HTTP).</param>
/// <param name="Field">
/// The JSON path of the field at fault, e.g. <c>event</c>, <c>properties.items[2]</c>,
/// <c>batch[3].timestamp</c>. <c>message</c> (or <c>batch[3]</c>) means the whole message,
/// <c>body</c> the whole request body, <c>batch</c> the batch array. Never empty.
/// </param>
/// <param name="Message">Plain English naming the field, e.g. <c>batch[3]: event must be a string</c>. Never empty.</param>
/// <param name="Index">The item's index in a batch, or null outside a batch.</param>
public sealed record MessageError(MessageErrorKind Kind, string Field, string Message, int? Index)
{
    /// <inheritdoc />
    public override string ToString() => Message;

    // The one place that turns a message-relative path and text into a batch-relative one. A null
    // field means the message as a whole.
    internal static MessageError ForMessage(MessageErrorKind kind, string? field, string detail, int? index)
    {
        if (index is not { } i)
        {
            return new MessageError(kind, field ?? "message", detail, null);
        }

        var item = string.Create(CultureInfo.InvariantCulture, $"batch[{i}]");
        var path = field is null ? item : item + "." + field;
        return new MessageError(kind, path, item + ": " + detail, i);
    }
}
