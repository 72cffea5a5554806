using System.Buffers;

namespace TinyCdp.AspNetCore.Endpoints.Ingest;

/// <summary>Reads a request body as raw bytes, whatever its content type, up to a limit.</summary>
internal static class RequestBody
{
    /// <summary>
    /// The body's bytes, or null when it is longer than <paramref name="limit"/> (by its
    /// <c>Content-Length</c>, or while reading a body without one).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } length ? (int)Math.Max(length, 1) + 1 : 16 * 1024);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (filled > limit)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    // Kestrel's own limit, met while reading a body sent without a length: the client's
                    // mistake, answered like any other oversized body (not logged as an unhandled error).
                    return null;
                }

                if (read == 0)
                {
                    break;
                }

                filled += read;
                if (filled > limit)
                {
                    return null;
                }
            }

            return buffer.AsSpan(0, filled).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
