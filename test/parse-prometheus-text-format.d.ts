declare module "parse-prometheus-text-format" {
  const parse: (text: string) => { name: string; help: string; type: string; metrics: Record<string, any>[] }[];
  export default parse;
}
