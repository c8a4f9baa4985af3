/** The bundled example runs (public/examples, served with the app), fetched as a drop would bring them. */
import type { DroppedFile } from './file-intake';

/** The example files listed in `<base>manifest.json`; throws when one cannot be fetched. */
export async function fetchExampleFiles(
  fetchFile: (url: string) => Promise<Response>,
  base: string = `${import.meta.env.BASE_URL}examples/`,
): Promise<DroppedFile[]> {
  const manifest = (await (await fetchFile(`${base}manifest.json`)).json()) as { files: string[] };
  return Promise.all(
    manifest.files.map(async (name) => {
      const response = await fetchFile(`${base}${name}`);
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
      return { file: await response.blob(), path: name };
    }),
  );
}
