// Three people in proxy mode, one per role, as the API tests sign in: ada
// (admin), olga (operator), vic (viewer, the default role).
export const as = (user: string) => ({ "X-User": user });
export const admin = as("ada");
export const operator = as("olga");
export const viewer = as("vic");
export const TREE = "fixtures:TreeRollout";
export const proxyEnv = { KETTLE_AUTH: "proxy", KETTLE_USER_HEADER: "X-User", KETTLE_ADMINS: "ada", KETTLE_OPERATORS: "olga", KETTLE_DEFAULT_ROLE: "viewer", KETTLE_ROLLOUT_CLS: TREE };
