namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// Labels (purposes) bound into sealed values, so that a ciphertext cannot be moved from one field to another. Any
/// non-empty label of at most <see cref="EnvelopeProtector.MaxLabelBytes"/> UTF-8 bytes works; these keep the usual
/// ones spelled the same everywhere. Changing a label makes everything sealed under the old one unreadable.
/// </summary>
public static class SealLabels
{
    /// <summary>The serialized subject compartment (identity of the person).</summary>
    public const string Subject = "subject";

    /// <summary>A free-text message passed with a hand-off.</summary>
    public const string HandoffMessage = "handoff-message";

    /// <summary>An uploaded document, bound to its own id.</summary>
    public static string Document(Guid documentId) => $"document:{documentId:D}";
}
