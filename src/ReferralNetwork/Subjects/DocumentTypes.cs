namespace ReferralNetwork.Subjects;

/// <summary>What a document is, judged by its first bytes: the Content-Type a client sends is not trusted.</summary>
public static class DocumentTypes
{
    private static readonly (byte[] Signature, string ContentType)[] Known =
    [
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ("%PDF-"u8.ToArray(), "application/pdf"),
    ];

    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        foreach (var (signature, contentType) in Known)
        {
            if (content.StartsWith(signature))
            {
                return contentType;
            }
        }

        return null;
    }
}
