using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Octokit;
using Sentinel.Config;

namespace Sentinel.Issues;

/// <summary>How <c>sentinel issues</c> authenticates: a token, or a GitHub App (id + private key PEM).</summary>
public sealed record GitHubCredentials(string? Token, string? AppId, string? AppPrivateKeyPem)
{
    public bool IsApp => AppId is not null;

    /// <summary>
    /// Reads the credentials named by <c>github.*</c> from the environment (<paramref name="env"/>):
    /// <c>auth: token</c> → <c>token_env</c>, falling back to <c>GITHUB_TOKEN</c>; <c>auth: app</c> →
    /// <c>app_id_env</c> and the key from <c>app_key_env</c> (PEM text) or <c>app_key_file_env</c> (a path).
    /// </summary>
    /// <exception cref="GitHubAuthException">Nothing usable is set.</exception>
    public static GitHubCredentials FromEnvironment(GitHubConfig config, Func<string, string?> env)
    {
        if (config.Auth == "app")
        {
            var id = env(config.AppIdEnv);
            var pem = env(config.AppKeyEnv);
            if (string.IsNullOrWhiteSpace(pem) && env(config.AppKeyFileEnv) is { Length: > 0 } file)
            {
                pem = File.Exists(file) ? File.ReadAllText(file)
                    : throw new GitHubAuthException($"github.auth is 'app' but the key file ${config.AppKeyFileEnv} names ({file}) does not exist");
            }

            if (string.IsNullOrWhiteSpace(id) || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _) || string.IsNullOrWhiteSpace(pem))
            {
                throw new GitHubAuthException(
                    $"github.auth is 'app': set ${config.AppIdEnv} (the numeric App id) and the private key in ${config.AppKeyEnv} (PEM) or a path in ${config.AppKeyFileEnv}");
            }

            return new GitHubCredentials(null, id.Trim(), pem);
        }

        var token = env(config.TokenEnv) is { Length: > 0 } t ? t : env("GITHUB_TOKEN");
        return string.IsNullOrWhiteSpace(token)
            ? throw new GitHubAuthException($"no GitHub token: set ${config.TokenEnv} or $GITHUB_TOKEN (or github.auth: app); `sentinel issues --dry-run` needs none")
            : new GitHubCredentials(token.Trim(), null, null);
    }
}

/// <summary>GitHub App authentication: an RS256 JWT, then an installation token for the target repository.</summary>
public static class GitHubAppAuth
{
    /// <summary>
    /// The App JWT GitHub documents: header <c>{"alg":"RS256","typ":"JWT"}</c>, claims <c>iat</c> = now − 60 s
    /// (clock drift), <c>exp</c> = now + 9 min (under the 10-minute maximum), <c>iss</c> = the App id.
    /// </summary>
    public static string CreateJwt(string appId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
        }
        catch (ArgumentException e)
        {
            throw new GitHubAuthException("the GitHub App private key is not a PEM RSA key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)", e);
        }

        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" }));
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iat"] = now.AddSeconds(-60).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(9).ToUnixTimeSeconds(),
            ["iss"] = appId,
        }));
        var signingInput = header + "." + claims;
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// GET /repos/{owner}/{repo}/installation with the JWT, then POST /app/installations/{id}/access_tokens:
    /// the installation token that acts on that repository.
    /// </summary>
    public static async Task<string> InstallationTokenAsync(Uri apiBase, string appId, string pem, string owner, string repo, TimeProvider time, TimeSpan timeout)
    {
        var jwt = CreateJwt(appId, pem, time.GetUtcNow());
        var app = GitHubGateway.CreateClient(apiBase, new Credentials(jwt, AuthenticationType.Bearer), timeout);
        try
        {
            var installation = await app.GitHubApps.GetRepositoryInstallationForCurrent(owner, repo);
            var token = await app.GitHubApps.CreateInstallationToken(installation.Id);
            return token.Token;
        }
        catch (NotFoundException e)
        {
            throw new GitHubWriteException($"the GitHub App is not installed on {owner}/{repo} (install it with Issues: read & write)", e);
        }
        catch (AuthorizationException e)
        {
            throw new GitHubWriteException($"GitHub rejected the App JWT (401): check the App id and private key ({e.Message})", e);
        }
    }
}
