import { Dark, Dialog, Loading, Notify, type QuasarPluginOptions } from 'quasar'
import iconSet from 'quasar/icon-set/svg-material-icons'

/**
 * Quasar without its CLI. Icons are the SVG Material set from @quasar/extras, bundled into
 * the build (there is no internet at run time, so no font CDN). Brand colours are darker
 * than Quasar's defaults so that white text on them passes WCAG AA contrast (4.5:1).
 */
export const quasarOptions: Partial<QuasarPluginOptions> = {
  plugins: { Notify, Dialog, Dark, Loading },
  iconSet,
  config: {
    // Dark mode follows the system setting.
    dark: 'auto',
    brand: {
      primary: '#1565c0',
      secondary: '#00695c',
      accent: '#6a1b9a',
      positive: '#1b7837',
      negative: '#c62828',
      info: '#01579b',
      warning: '#f2c037',
      dark: '#1d1d1d',
      'dark-page': '#121212',
    },
    // Notifications are for the eyes; every one of them is also said by the layout's single live
    // region, so they must not be a second (assertive) one.
    notify: { position: 'top-right', timeout: 5000, attrs: { role: 'status', 'aria-live': 'off' } },
    loading: { delay: 300 },
  },
}
