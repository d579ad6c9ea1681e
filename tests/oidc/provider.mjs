// A real OpenID Connect provider (the oidc-provider package) for the portal's
// login tests.  Its development interactions take any login name and
// password; the account whose login is a USCC carries it in the claim named
// by USCC_CLAIM, so a test signs in as the enterprise it names.
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated),
// USCC_CLAIM.  Prints "ready <issuer>" on stdout once it listens.
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const claim = process.env.USCC_CLAIM || "uscc";
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(","),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub", claim] },
  // Put the scope's claims in the ID token too (the hub reads them there).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["xinyi-hub-test-cookie-key"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, [claim]: id };
      },
    };
  },
});
provider.on("server_error", (ctx, err) => console.error("server_error", err));

provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
