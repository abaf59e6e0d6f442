// Calls copkit-local through the TypeScript client the OpenAPI Generator
// (typescript-fetch) made from its /openapi.json, compiled with --strict:
//   node smoke.js BASE_URL TOKEN
// The same story as smoke.py: the caller's communities, a space, an upload
// sent as application/octet-stream with its type in the query, the document
// found in the library, and a problem document for a missing id.
import {
  CommunitiesApi,
  Configuration,
  ContentType,
  DocumentsApi,
  MeApi,
  ResponseError,
  SpacesApi,
} from "./client";

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`generated TypeScript client: ${what}`);
  }
}

async function main(basePath: string, token: string): Promise<void> {
  const config = new Configuration({ basePath, accessToken: async () => token });
  const mine = await new MeApi(config).myCommunities({ limit: 10 });
  check(mine.items.length > 0, "the demo user belongs to no community");
  const community = mine.items[0].card.id;

  const spaces = await new SpacesApi(config).spacesList({ id: community });
  check(spaces.length > 0, "the community has no space");
  const space = spaces[0].id;

  const bytes = new TextEncoder().encode("Agenda for the April meeting\n");
  const documents = new DocumentsApi(config);
  const added = await documents.upload({
    id: space,
    title: "Generated client agenda",
    body: new Blob([bytes]),
    contentType: ContentType.TEXT_PLAIN,
  });
  check(added.contentType === "text/plain", `content type ${added.contentType}`);
  check(added.size === bytes.length, `size ${added.size}`);

  const library = await documents.documentsList({ id: space, limit: 100 });
  check(library.items.some((d) => d.id === added.id), "the upload is not in the library");

  try {
    await new CommunitiesApi(config).getCommunity({ id: "01JAAAAAAAAAAAAAAAAAAAAAAA" });
    check(false, "a missing community was found");
  } catch (e) {
    check(e instanceof ResponseError, `unexpected error ${e}`);
    const problem = (await (e as ResponseError).response.json()) as { code?: string };
    check((e as ResponseError).response.status === 404, "a missing community is not 404");
    check(problem.code === "not_found", `problem code ${problem.code}`);
  }
  console.log(`generated TypeScript client: uploaded ${added.id} to space ${space}`);
}

main(process.argv[2], process.argv[3]).catch((e) => {
  console.error(e);
  process.exit(1);
});
