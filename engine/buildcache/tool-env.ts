// How each build tool is pointed at the endpoint: environment variables for Turborepo, Nx and
// ccache (and the Gradle init script's two variables), flags for Bazel, and the init script Gradle
// loads. One list, used by `memcloud cache env` and by VS Code's terminals alike.

import type { BuildCacheEnv } from '../api/build-cache-types';

/** Turborepo needs a team to enable remote caching; it is sent as ?slug= and scopes the entries. */
export const TURBO_TEAM = 'memcloud';

export function toolEnv(url: string, token: string, gradleInitScript: string): BuildCacheEnv {
  return {
    url,
    vars: [
      { name: 'TURBO_API', value: url },
      { name: 'TURBO_TOKEN', value: token },
      { name: 'TURBO_TEAM', value: TURBO_TEAM },
      { name: 'NX_SELF_HOSTED_REMOTE_CACHE_SERVER', value: url },
      { name: 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN', value: token },
      // ccache waits 10 s per request by default; our answers come within the read deadline.
      { name: 'CCACHE_REMOTE_STORAGE', value: `${url}/ccache|bearer-token=${token}|operation-timeout=5000` },
      { name: 'MEMCLOUD_GRADLE_CACHE_URL', value: `${url}/cache/` },
      { name: 'MEMCLOUD_GRADLE_CACHE_TOKEN', value: token },
    ],
    bazelFlags: [`--remote_cache=${url}`, `--remote_header=Authorization=Bearer ${token}`],
    gradleInitScript,
  };
}

/**
 * Gradle's remote cache is configured in settings, not the environment: this init script
 * (`gradle --build-cache --init-script <path>`) reads the two variables above. Gradle speaks only
 * Basic auth: the token goes as the password. Gradle 7+ also needs allowInsecureProtocol for http.
 */
export const GRADLE_INIT_SCRIPT = `// MemCloud: use the node's build-cache endpoint as Gradle's remote HTTP build cache.
// Written by MemCloud; use with: gradle --build-cache --init-script <this file>
def memcloudUrl = System.getenv('MEMCLOUD_GRADLE_CACHE_URL')
def memcloudToken = System.getenv('MEMCLOUD_GRADLE_CACHE_TOKEN')
if (memcloudUrl && memcloudToken) {
  settingsEvaluated { settings ->
    settings.buildCache {
      remote(HttpBuildCache) {
        url = memcloudUrl
        push = true
        if (delegate.hasProperty('allowInsecureProtocol')) {
          allowInsecureProtocol = true
        }
        credentials {
          username = 'memcloud'
          password = memcloudToken
        }
      }
    }
  }
}
`;
