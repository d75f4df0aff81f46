using System.Net;
using System.Net.Http.Json;
using System.Text;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Subjects;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Subjects;

/// <summary>
/// Scanned passports and PDFs outgrow the 1 MiB every route accepts: the document upload has a limit of its own
/// (<see cref="SubjectOptions.MaxDocumentBytes"/>), and only it. Over Kestrel, the server that enforces what routing
/// hands it per request, since the in-memory test server enforces no body limit of its own.
/// </summary>
public sealed class DocumentSizeLimitTests
{
    private const long GlobalLimit = 1024 * 1024;
    private const long DocumentLimit = 10 * 1024 * 1024;

    [Fact]
    public async Task A_document_may_be_larger_than_every_other_body_up_to_a_limit_of_its_own()
    {
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path);
        platform.UseKestrel(0);
        using var thailand = await platform.ClientForAsync("th-focal-point");
        var id = (await ReferralRequests.CreateAsync(thailand)).Id;
        var path = $"/api/v1/referrals/{id}";
        var pdf = Pdf(3 * 1024 * 1024);

        using var added = await thailand.PostAsync($"{path}/subject/documents?kind=passport-scan", new ByteArrayContent(pdf));
        var document = await PartnerApi.ReadAsync<DocumentView>(added);
        var read = await thailand.GetByteArrayAsync($"{path}/subject/documents/{document.Id}?purpose=nationality-verification");
        var version = (await PartnerApi.GetReferralAsync(thailand, id))!.Version;

        using var tooLarge = await SendAsync(thailand, $"{path}/subject/documents?kind=passport-scan", new ByteArrayContent(Pdf(DocumentLimit + 1)));
        using var elsewhere = await SendAsync(thailand, "/api/v1/referrals", new StringContent(
            "{\"summary\": \"" + new string('x', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json"));
        var subject = await thailand.GetFromJsonAsync<SubjectView>($"{path}/subject?purpose=case-work", PlatformFactory.JsonOptions);
        var after = await PartnerApi.GetReferralAsync(thailand, id);

        Assert.Equal(("application/pdf", (long)pdf.Length), (document.ContentType, document.Length));
        Assert.Equal(pdf, read);
        var refused = await Problem.AssertAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Contains($"at most {DocumentLimit} bytes (10 MiB)", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var refusedElsewhere = await Problem.AssertAsync(elsewhere, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Contains($"at most {GlobalLimit} bytes (1 MiB)", refusedElsewhere.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The refused document changed nothing: the compartment holds the first one only, the referral is at the same version.
        Assert.Equal(document.Id, Assert.Single(subject!.Documents).Id);
        Assert.Equal(version, after!.Version);
    }

    /// <summary>A PDF as the route judges it (by its first bytes), its body noise, so that what is read back proves every byte.</summary>
    private static byte[] Pdf(long length)
    {
        var bytes = new byte[length];
        new Random(11).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    /// <summary>
    /// With <c>Expect: 100-continue</c>, as a client sending a large body should: the platform refuses on the declared
    /// length before asking for the body, and the client gets the answer instead of a connection closed mid-upload.
    /// </summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }
}
